//! `portald seed`: realistic demo and benchmark data, generated deterministically from a seed
//! value (the same seed gives the same data on any backend).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::domain::groups::Group;
use crate::domain::password;
use crate::domain::people::{activation, UserContact};
use crate::domain::projects::NewProject;
use crate::error::ApiResult;
use crate::model::people::NewUser;
use crate::model::{ContactId, GroupId, InfoId, PortalId, ProjectId, ShareType, UserId};
use crate::store::Store;

const FIRST_NAMES: [&str; 24] = [
    "Anna", "Boris", "Chloe", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya",
    "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara",
];
const LAST_NAMES: [&str; 20] = [
    "Adler", "Berg", "Costa", "Dahl", "Engel", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen", "Kowalski",
    "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka",
];
const DEPARTMENTS: [&str; 6] = ["Sales", "Marketing", "Support", "Engineering", "Finance", "Legal"];
const PROJECT_WORDS: [&str; 12] = [
    "Apollo", "Atlas", "Beacon", "Comet", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
];
const TAGS: [&str; 8] = ["priority", "internal", "client", "q1", "q2", "research", "launch", "maintenance"];

/// How much to generate.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub seed: u64,
    pub users: usize,
    pub projects: usize,
    pub contacts: usize,
    /// The password every generated user gets.
    pub password: String,
}

/// What was generated.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub users: usize,
    pub groups: usize,
    pub projects: usize,
    pub contacts: usize,
}

/// Generates the plan's data into `portal` in one transaction.
pub async fn seed(store: &Store, portal: impl Into<PortalId>, plan: &SeedPlan) -> ApiResult<SeedReport> {
    let portal = portal.into();
    password::check_policy(&plan.password)?;
    let password_hash = password::hash(&plan.password)?;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut tx = store.begin_write().await?;
    store.ensure_portal(tx.conn(), portal).await?;
    let mut ids = Vec::with_capacity(plan.users);
    for n in 0..plan.users {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        // The seed in the name lets data of several seeds live in one portal.
        let user_name = format!("{}.{}.{}.{n}", first.to_lowercase(), last.to_lowercase(), plan.seed);
        let id = UserId(Uuid::from_u128(rng.gen()));
        let user = NewUser {
            id,
            email: format!("{user_name}@seed.example.com"),
            user_name,
            first_name: first.into(),
            last_name: last.into(),
            is_visitor: rng.gen_ratio(1, 10),
            activation_status: activation::ACTIVATED,
            password_hash: password_hash.clone(),
        };
        store.insert_user(tx.conn(), portal, &user).await?;
        let contacts: Vec<UserContact> = (0..rng.gen_range(0..3))
            .map(|i| UserContact {
                kind: ["phone", "skype", "mail"][i].into(),
                value: format!("{}-{}", ["+1 555 ", "", ""][i], rng.gen_range(1000..9999)),
            })
            .collect();
        store.replace_contacts(tx.conn(), portal, id, &contacts).await?;
        if !user.is_visitor && rng.gen_ratio(1, 20) {
            store.set_admin(tx.conn(), portal, id).await?;
        }
        ids.push((id, user.is_visitor));
    }
    let staff: Vec<UserId> = ids.iter().filter(|(_, guest)| !guest).map(|(id, _)| *id).collect();
    let groups = if staff.is_empty() { 0 } else { DEPARTMENTS.len() };
    for name in DEPARTMENTS.iter().take(groups) {
        let group = Group {
            id: GroupId(Uuid::from_u128(rng.gen())),
            name: (*name).into(),
            manager: staff.choose(&mut rng).copied(),
        };
        store.save_group(tx.conn(), portal, &group).await?;
        let members: Vec<UserId> = staff.choose_multiple(&mut rng, staff.len().min(8)).copied().collect();
        store.add_group_members(tx.conn(), portal, group.id, &members).await?;
    }
    let projects = if staff.is_empty() { 0 } else { plan.projects };
    let mut project_ids = Vec::with_capacity(projects);
    for n in 0..projects {
        let responsible = *staff.choose(&mut rng).unwrap_or(&staff[0]);
        let word = PROJECT_WORDS[rng.gen_range(0..PROJECT_WORDS.len())];
        let project = NewProject {
            title: format!("{word} {}", n + 1),
            description: Some(format!("Seeded project {} of {}", n + 1, projects)),
            responsible,
            is_private: rng.gen_ratio(1, 5),
            team: staff.choose_multiple(&mut rng, staff.len().min(5)).copied().chain([responsible]).collect(),
            restrictions: Vec::new(),
            tags: TAGS.choose_multiple(&mut rng, 2).map(|t| t.to_string()).collect(),
        };
        project_ids.push(store.insert_project(tx.conn(), portal, &project, responsible).await?);
    }
    tx.commit().await?;
    let contacts =
        if staff.is_empty() { 0 } else { seed_contacts(store, portal, plan, &mut rng, &staff, &project_ids).await? };
    store.after_bulk_load().await?;
    Ok(SeedReport { users: plan.users, groups, projects, contacts })
}

const COMPANY_WORDS: [&str; 10] =
    ["Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Hooli", "Vandelay"];
const COMPANY_KINDS: [&str; 5] = ["Ltd", "Group", "Labs", "Trading", "Systems"];
/// Words the seed puts in a known share of its contacts, as their email domains, for the
/// bench's curve of search cost by selectivity: one in 0.1% of them, one in 1%.
pub const WORD_IN_A_THOUSANDTH: &str = "brimwood";
pub const WORD_IN_A_HUNDREDTH: &str = "marlowe";

/// The first label of a contact's email domain, chosen by the contact's number so that each
/// word above selects exactly its share.
fn email_domain(number: usize) -> &'static str {
    match number % 1000 {
        7 => WORD_IN_A_THOUSANDTH,
        n if n % 100 == 13 => WORD_IN_A_HUNDREDTH,
        _ => "seed",
    }
}

/// Contacts are written in chunks of this many, each chunk one transaction of a few statements.
const CHUNK: usize = 5_000;

/// Persons and companies with emails, phones, managers (for the private ones), tags and project
/// links, in a fixed number of statements per chunk.
async fn seed_contacts(
    store: &Store,
    portal: PortalId,
    plan: &SeedPlan,
    rng: &mut StdRng,
    staff: &[UserId],
    projects: &[ProjectId],
) -> ApiResult<usize> {
    use crate::domain::contacts::{ContactInfo, NewContact, INFO_PHONE};
    let owner = staff[0];
    let mut done = 0;
    while done < plan.contacts {
        let n = CHUNK.min(plan.contacts - done);
        let drafts: Vec<NewContact> = (0..n)
            .map(|i| {
                let number = done + i;
                let is_company = rng.gen_ratio(1, 4);
                let share_type = match rng.gen_range(0..10) {
                    0 | 1 => ShareType::None,
                    2 | 3 => ShareType::Read,
                    _ => ShareType::ReadWrite,
                };
                let contact = if is_company {
                    NewContact::company(format!(
                        "{} {} {number}",
                        COMPANY_WORDS[rng.gen_range(0..COMPANY_WORDS.len())],
                        COMPANY_KINDS[rng.gen_range(0..COMPANY_KINDS.len())]
                    ))
                } else {
                    NewContact::person(
                        FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
                        format!("{}{number}", LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())]),
                    )
                };
                NewContact { share_type, ..contact }
            })
            .collect();
        let mut tx = store.begin_write().await?;
        let ids = store.insert_contacts_bulk(tx.conn(), portal, &drafts, owner).await?;
        let mut infos = Vec::with_capacity(ids.len() * 2);
        let mut managers = Vec::new();
        for (number, (id, draft)) in (done..).zip(ids.iter().zip(&drafts)) {
            let slug = draft.display_name().to_lowercase().replace(' ', ".");
            infos.push((
                *id,
                ContactInfo {
                    id: InfoId::UNSAVED,
                    info_type: 1,
                    category: 1,
                    data: format!("{slug}@{}.example.com", email_domain(number)),
                    is_primary: true,
                },
            ));
            if rng.gen_ratio(1, 2) {
                let phone = format!("+1 555 {:04}", rng.gen_range(0..10_000));
                infos.push((
                    *id,
                    ContactInfo {
                        id: InfoId::UNSAVED,
                        info_type: INFO_PHONE,
                        category: 1,
                        data: phone,
                        is_primary: true,
                    },
                ));
            }
            if draft.share_type != ShareType::ReadWrite {
                managers.push((*id, staff[rng.gen_range(0..staff.len())]));
            }
        }
        store.insert_infos_bulk(tx.conn(), portal, &infos).await?;
        store.insert_managers_bulk(tx.conn(), portal, &managers).await?;
        for tag in TAGS.iter().take(3) {
            let (tag_id, _) = store.ensure_tag(tx.conn(), portal, tag).await?;
            let tagged: Vec<ContactId> = ids.iter().copied().filter(|_| rng.gen_ratio(1, 5)).collect();
            store.tag_contacts(tx.conn(), portal, tag_id, &tagged).await?;
        }
        if let Some(project) = projects.choose(rng) {
            let linked: Vec<ContactId> = ids.iter().copied().filter(|_| rng.gen_ratio(1, 10)).collect();
            store.link_contacts(tx.conn(), portal, *project, &linked).await?;
        }
        tx.commit().await?;
        done += n;
    }
    Ok(done)
}
